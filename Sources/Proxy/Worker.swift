import HTTP
public enum ProxyPlaceholder {}

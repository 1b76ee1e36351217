public enum CryptoPlaceholder {}

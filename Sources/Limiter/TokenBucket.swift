public enum LimiterPlaceholder {}

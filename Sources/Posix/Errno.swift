public enum PosixPlaceholder {}

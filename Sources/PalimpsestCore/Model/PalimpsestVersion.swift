/// The version of palimpsest, defined once: `palimpsest --version`, the default `User-Agent`
/// (`Palimpsest/0.1.0 (deletion monitor)`) and the man page take it from here.
public enum PalimpsestVersion {
    /// The version, `major.minor.patch` (Semantic Versioning 2.0.0).
    public static let current = "0.1.0"
}

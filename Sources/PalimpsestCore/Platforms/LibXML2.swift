import CLibXML2

/// libxml2's process-wide setup.
enum LibXML2 {
    /// `xmlInitParser()`, run once (a Swift static initialiser runs exactly once, thread-safely):
    /// libxml2 2.9 initialises its global tables lazily, and two first parses racing that
    /// initialisation are not safe. Every parse calls ``initialize()`` first.
    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Initialises libxml2 once per process; cheap after the first call.
    static func initialize() {
        _ = Self.initialized
    }
}

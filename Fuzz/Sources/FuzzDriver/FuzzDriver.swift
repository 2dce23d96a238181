/// Starts libFuzzer's driver with a target's callback. SwiftPM links an executable's top-level
/// code as its `main`, so the targets call this instead of leaving `main` to libFuzzer.
public enum FuzzDriver {
    public typealias Callback = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

    public static func run(_ callback: Callback) -> CInt {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        return LLVMFuzzerRunDriver(&argc, &argv, callback)
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzDriver.Callback
) -> CInt

import Foundation
import StampedeFuzzTargets

// libFuzzer's entry point. scripts/fuzz builds this with `-sanitize=fuzzer,address
// -parse-as-library -D FUZZING`: each input libFuzzer makes goes to the target named by
// STAMPEDE_FUZZ_TARGET. (Built plainly, as `swift build` builds every target, the program
// does nothing.)

#if FUZZING
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["STAMPEDE_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("STAMPEDE_FUZZ_TARGET='\(name)' names no target; one of: \(FuzzTarget.names)")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    target.run(start.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

// SwiftPM links an executable's `main` to `<module>_main`, which libFuzzer's own main cannot
// be; this one hands the command line to libFuzzer's driver.
@_cdecl("StampedeFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = argv
    return runDriver(&argc, &argv, fuzzOneInput)
}
#endif

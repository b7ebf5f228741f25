import StampedeDSL
import XCTest

final class DurationTextTests: XCTestCase {
    func testParsesTheNotationsPeopleWrite() {
        XCTAssertEqual(Duration(parsing: "500ms"), .milliseconds(500))
        XCTAssertEqual(Duration(parsing: "10s"), .seconds(10))
        XCTAssertEqual(Duration(parsing: "1m30s"), .seconds(90))
        XCTAssertEqual(Duration(parsing: "1.5s"), .milliseconds(1500))
        XCTAssertEqual(Duration(parsing: "2h"), .seconds(7200))
        XCTAssertEqual(Duration(parsing: "250us"), .microseconds(250))
        XCTAssertEqual(Duration(parsing: "-1s"), .seconds(-1))
    }

    func testRejectsWhatIsNotADuration() {
        for text in ["", "10", "s", "ten seconds", "10x", "1..5s", "5s5"] {
            XCTAssertNil(Duration(parsing: text), text)
        }
    }

    /// Found by fuzzing (Fuzz/regressions/duration): a length past Int64's nanoseconds
    /// trapped in the conversion, and so did `--duration 6131300h`.
    func testALengthBeyondWhatNanosecondsHoldIsNoDurationAndTheExtremesPrint() {
        XCTAssertNil(Duration(parsing: "6131300h"))
        XCTAssertNil(Duration(parsing: "99999999999999999999999s"))
        XCTAssertEqual(Duration(parsing: "2562047h"), .seconds(2_562_047 * 3600))
        XCTAssertEqual(Duration.nanoseconds(Int64.min).humanReadable, "-" + Duration.nanoseconds(Int64.max).humanReadable)
    }

    func testFormatsLikeK6() {
        XCTAssertEqual(Duration.zero.humanReadable, "0s")
        XCTAssertEqual(Duration.nanoseconds(701).humanReadable, "701ns")
        XCTAssertEqual(Duration.nanoseconds(99_660).humanReadable, "99.66µs")
        XCTAssertEqual(Duration.nanoseconds(1_104_918).humanReadable, "1.1ms")
        XCTAssertEqual(Duration.seconds(10).humanReadable, "10s")
        XCTAssertEqual(Duration.seconds(90).humanReadable, "1m30s")
        XCTAssertEqual(Duration.seconds(3725).humanReadable, "1h2m5s")
    }
}

import XCTest
@testable import EventLoop
@testable import Executors

/// Parsing what squeue and sacct print, and the job script's quoting, on hand-written cases.
final class SlurmRecordTests: XCTestCase {
    func testQueueLines() {
        // As squeue --Format=JobID:|,State:|,exit_code:|,Name:| prints them (Slurm 22.05).
        XCTAssertEqual(SlurmQueueRecord.parse("42|RUNNING|0|vsweep-17|"),
                       SlurmQueueRecord(jobID: 42, state: "RUNNING", waitStatus: 0, name: "vsweep-17"))
        XCTAssertEqual(SlurmQueueRecord.parse("42|PENDING|0|a|b|")?.name, "a|b", "a name may hold '|'")
        XCTAssertEqual(SlurmQueueRecord.parse("42|PENDING|0|a|b|")?.isPending, true)
        XCTAssertEqual(SlurmQueueRecord.parse("7|COMPLETING|0|x|")?.isActive, true, "the epilog still runs")
        XCTAssertNil(SlurmQueueRecord.parse("7|COMPLETING|0|x|")?.end)
        XCTAssertEqual(SlurmQueueRecord.parse("7|TIMEOUT|9|x|")?.isActive, false)
        XCTAssertNil(SlurmQueueRecord.parse("squeue: warning: something"))
        XCTAssertNil(SlurmQueueRecord.parse("abc|RUNNING|0|x|"))
        XCTAssertNil(SlurmQueueRecord.parse("0|RUNNING|0|x|"))
        XCTAssertNil(SlurmQueueRecord.parse("5||0|x|"))
        XCTAssertNil(SlurmQueueRecord.parse("5|RUNNING|x|"), "the old --format line, without the exit code")
    }

    /// The exit code squeue prints is a raw wait status; these are the values seen
    /// from Slurm 22.05 for `exit 2`, `exit 143` after a trapped SIGTERM, a job killed
    /// by SIGTERM, a cancelled running job and a cancelled pending one.
    func testQueueEndsDecodeTheWaitStatus() {
        func exit(_ line: String) -> TrialExit? { SlurmQueueRecord.parse(line)?.end?.trialExit() }
        XCTAssertEqual(exit("1|FAILED|512|x|"), .exited(status: 2))
        XCTAssertEqual(exit("6|FAILED|36608|x|"), .exited(status: 143))
        XCTAssertEqual(exit("2|FAILED|15|x|"), .signaled(signal: 15))
        XCTAssertEqual(exit("3|COMPLETED|0|x|"), .exited(status: 0))
        XCTAssertEqual(exit("5|CANCELLED|15|x|"), .signaled(signal: 15))
        XCTAssertEqual(exit("4|CANCELLED|0|x|"), .lost(reason: "Slurm job 4 ended CANCELLED (exit code 0:0)"))
        XCTAssertEqual(exit("9|TIMEOUT|9|x|"), .lost(reason: "Slurm job 9 ended TIMEOUT (exit code 0:9)"))
    }

    func testAccountingLinesAndTheirExits() {
        func exit(_ line: String) -> TrialExit? { SlurmAccountingRecord.parse(line)?.trialExit() }
        XCTAssertEqual(exit("123|COMPLETED|0:0"), .exited(status: 0))
        XCTAssertEqual(exit("124|FAILED|2:0"), .exited(status: 2))
        XCTAssertEqual(exit("125|FAILED|0:9"), .signaled(signal: 9))
        XCTAssertEqual(exit("126|CANCELLED by 1000|0:15"), .signaled(signal: 15))
        XCTAssertEqual(exit("127|CANCELLED by 1000|0:0"),
                       .lost(reason: "Slurm job 127 ended CANCELLED by 1000 (exit code 0:0)"))
        XCTAssertEqual(exit("128|TIMEOUT|0:15"), .lost(reason: "Slurm job 128 ended TIMEOUT (exit code 0:15)"))
        XCTAssertEqual(exit("129|OUT_OF_MEMORY|0:125"),
                       .lost(reason: "Slurm job 129 ended OUT_OF_MEMORY (exit code 0:125)"))
        XCTAssertEqual(SlurmAccountingRecord.parse("130|RUNNING|0:0")?.hasEnded, false)
        XCTAssertEqual(SlurmAccountingRecord.parse("131|NODE_FAIL|1:0")?.hasEnded, true)
        XCTAssertNil(SlurmAccountingRecord.parse("131|COMPLETED|0"))
        XCTAssertNil(SlurmAccountingRecord.parse("JobIDRaw|State|ExitCode"))
        XCTAssertNil(SlurmAccountingRecord.parse(""))
    }

    func testJobScriptQuotesEveryWord() {
        XCTAssertEqual(SlurmJobScript.quote("plain"), "'plain'")
        XCTAssertEqual(SlurmJobScript.quote("it's"), #"'it'\''s'"#)
        XCTAssertEqual(SlurmJobScript.quote("$HOME `x`"), "'$HOME `x`'")
        XCTAssertEqual(SlurmJobScript.quote(""), "''")
        XCTAssertEqual(SlurmJobScript.quote("'\u{301}"), "''\\''\u{301}'", "a quote with a combining mark is escaped")
        XCTAssertEqual(SlurmJobScript.render(argv: ["/bin/echo", "a b"]),
                       "#!/bin/sh\n# written by vsweep: runs one trial attempt\nexec '/bin/echo' 'a b'\n")
    }

    func testFileNamesAndJobNames() {
        XCTAssertEqual(SlurmExecutor.fileName("sweep.a-1/trial 2"), "sweep.a-1_trial_2")
        XCTAssertEqual(SlurmExecutor.jobName(stamp: 17), "vsweep-17")
    }

    func testJobOutputFileFollowsAGrowingFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("job-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = JobOutputFile(path: path, maxLineBytes: 8)
        var pieces: [LineSplitter.OwnedPiece] = []
        file.drain { pieces.append(.init($0)) }
        XCTAssertEqual(pieces, [], "no file yet: the job has not started")
        let handle = try XCTUnwrap({ () -> FileHandle? in
            FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }())
        handle.write(Data("one\ntw".utf8))
        file.drain { pieces.append(.init($0)) }
        XCTAssertEqual(pieces, [.line(Array("one".utf8))])
        handle.write(Data("o\n0123456789\ntail".utf8))
        try handle.close()
        file.finish { pieces.append(.init($0)) }
        XCTAssertEqual(pieces, [.line(Array("one".utf8)), .line(Array("two".utf8)), .oversized(length: 10),
                                .line(Array("tail".utf8))])
    }
}

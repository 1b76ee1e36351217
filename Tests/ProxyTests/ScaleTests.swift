import Foundation
import Glibc
import Testing

@testable import Proxy

extension EndToEnd {
    /// Memory under many idle connections and under a large streamed body. The gateway runs in
    /// this process, so this process's RSS is the gateway's (plus the test's small clients);
    /// kernel socket buffers are not in RSS.
    @Suite struct Scale {
        /// Raises this process's open-file limit to at least `needed` if the hard limit allows.
        static func ensureFileLimit(_ needed: Int) -> Bool {
            var limit = rlimit()
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            if limit.rlim_cur >= rlim_t(needed) { return true }
            guard limit.rlim_max >= rlim_t(needed) else { return false }
            limit.rlim_cur = rlim_t(needed)
            return setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0
        }

        @Test func twoThousandIdleConnections() throws {
            let count = 2_000
            try #require(Self.ensureFileLimit(2 * count + 512), "RLIMIT_NOFILE too low for \(count) connections")
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let probe = try stack.client()
                #expect(try probe.exchange(get("/warm")).status == 200)
                let before = residentBytes()
                var idle: [TestClient] = []
                idle.reserveCapacity(count)
                for _ in 0..<count { idle.append(try stack.client()) }
                // Accepting happens on the worker thread.
                let open = { stack.total { $0.openClients.load(ordering: .relaxed) } }
                #expect(eventually(within: 5) { open() == count + 1 }, "open: \(open())")
                let start = now()
                let r = try probe.exchange(get("/still-fast"))
                let latency = now() - start
                #expect(r.status == 200)
                #expect(latency < 0.5, "request took \(latency) s with \(count) idle connections")
                let after = residentBytes()
                let perConnection = Double(after - before) / Double(count)
                print(
                    "idle connections: RSS \(before / 1024) KiB -> \(after / 1024) KiB, \(Int(perConnection)) B per connection"
                )
                #expect(perConnection < 4096, "\(perConnection) B of RSS per idle connection")
                for c in idle { c.close() }
                #expect(eventually(within: 5) { open() == 1 }, "open after closing: \(open())")
            }
        }

        /// Uploads `size` bytes with Content-Length from a second thread while this one reads the
        /// echo back, checks every byte, and returns the peak RSS growth.
        static func streamUpload(size: Int) throws -> Int {
            var peakGrowth = 0
            try withStack(routes: { [$0.echoRoute("/")] }) { stack in
                let c = try stack.client(timeout: 10)
                #expect(try c.exchange(get("/warm")).status == 200)
                let before = residentBytes()
                try c.send("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: \(size)\r\n\r\n")
                let fd = c.fd
                let writerDone = DispatchSemaphore(value: 0)
                let sentBytes = UnsafeMutablePointer<Int>.allocate(capacity: 1)
                defer { sentBytes.deallocate() }
                sentBytes.pointee = 0
                let sent = UncheckedBox(sentBytes)
                Thread.detachNewThread {
                    defer { writerDone.signal() }
                    let chunk = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 % 251) }
                    var total = 0
                    chunk.withUnsafeBytes { b in
                        while total < size {
                            // Byte p of the body is (p % 65,536) % 251.
                            let offset = total % 65_536
                            let n = min(b.count - offset, size - total)
                            let w = send(fd, b.baseAddress! + offset, n, Int32(MSG_NOSIGNAL))
                            if w <= 0 { break }
                            total += w
                        }
                    }
                    sent.pointer.pointee = total
                }
                let pattern = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)
                defer { pattern.deallocate() }
                for i in 0..<65_536 { pattern[i] = UInt8(truncatingIfNeeded: i % 251) }
                var received = 0
                var headBytes = -1
                var mismatches = 0
                var nextSample = 0
                let r = try c.readResponse(
                    onHead: { head in
                        headBytes = (head.header("Content-Length").flatMap { Int($0) } ?? 0) - size
                    },
                    sink: { slice in
                        slice.withUnsafeBytes { bytes in
                            var i = max(0, headBytes - received)  // skip the echoed request head
                            while i < bytes.count {
                                let position = (received + i - headBytes) % 65_536
                                let n = min(bytes.count - i, 65_536 - position)
                                if memcmp(bytes.baseAddress! + i, pattern.baseAddress! + position, n) != 0 {
                                    mismatches += 1
                                }
                                i += n
                            }
                        }
                        received += slice.count
                        if received >= nextSample {
                            peakGrowth = max(peakGrowth, residentBytes() - before)
                            nextSample += 4 << 20
                        }
                    })
                writerDone.wait()
                #expect(r.status == 200)
                #expect(sentBytes.pointee == size)
                #expect(headBytes > 0 && headBytes < 1024)
                #expect(r.bodyCount == headBytes + size)
                #expect(received == headBytes + size)
                #expect(mismatches == 0)
                peakGrowth = max(peakGrowth, residentBytes() - before)
            }
            return peakGrowth
        }

        @Test func upload64MiBStreams() throws {
            let growth = try Self.streamUpload(size: 64 << 20)
            print("64 MiB upload: peak RSS growth \(growth / 1024) KiB")
            #expect(growth < 16 << 20, "RSS grew \(growth / 1024) KiB during a 64 MiB upload")
        }

        @Test(.enabled(if: ProcessInfo.processInfo.environment["SLUICE_BIG_TESTS"] == "1"))
        func upload1GiBStreams() throws {
            let growth = try Self.streamUpload(size: 1 << 30)
            print("1 GiB upload: peak RSS growth \(growth / 1024) KiB")
            #expect(growth < 16 << 20, "RSS grew \(growth / 1024) KiB during a 1 GiB upload")
        }
    }
}

/// Hands a pointer to another thread; the test joins that thread before using it again.
struct UncheckedBox: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    init(_ pointer: UnsafeMutablePointer<Int>) { self.pointer = pointer }
}

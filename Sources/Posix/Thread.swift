import CLinux
import Glibc

/// A POSIX thread running a `@Sendable` body. `join` once, from any other thread.
public final class PosixThread: @unchecked Sendable {
    private final class Box: Sendable {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    private let handle: pthread_t

    public init(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            _ = String(box.name.prefix(15)).withCString { clinux_set_thread_name($0) }
            box.body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SystemError("pthread_create", errno: rc)
        }
        handle = thread
    }

    public func join() {
        _ = pthread_join(handle, nil)
    }

    /// Pins the calling thread to one CPU (best effort).
    public static func pinCurrent(toCPU cpu: Int) { _ = clinux_pin_to_cpu(Int32(cpu)) }

    /// CPUs this process may run on.
    public static var cpuCount: Int { Int(clinux_cpu_count()) }
}

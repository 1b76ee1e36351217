// The C entry points hiredis calls. They cannot capture, so each finds its `RedisStore` through the
// context's `ev.data` / `data` (unretained: the store owns the context and frees it before it goes)
// and each command's `Pending` through `privdata` (retained when sent, released here).
import CHiredis

/// hiredis's event-library hooks and reply callback for `RedisStore`. Owning loop's thread only.
enum RedisHooks {
    static func store(_ data: UnsafeMutableRawPointer?) -> RedisStore {
        Unmanaged<RedisStore>.fromOpaque(data!).takeUnretainedValue()
    }

    static let addRead: @convention(c) (UnsafeMutableRawPointer?) -> Void = { data in
        let s = store(data)
        s.setInterest(read: true, write: s.wantWrite)
    }

    static let delRead: @convention(c) (UnsafeMutableRawPointer?) -> Void = { data in
        let s = store(data)
        s.setInterest(read: false, write: s.wantWrite)
    }

    static let addWrite: @convention(c) (UnsafeMutableRawPointer?) -> Void = { data in
        let s = store(data)
        s.setInterest(read: s.wantRead, write: true)
    }

    static let delWrite: @convention(c) (UnsafeMutableRawPointer?) -> Void = { data in
        let s = store(data)
        s.setInterest(read: s.wantRead, write: false)
    }

    /// The context is about to be freed (connection lost, connect failed, or dropped by us).
    static let cleanup: @convention(c) (UnsafeMutableRawPointer?) -> Void = { data in
        let s = store(data)
        var reason = s.dropReason ?? "connection closed"
        if s.dropReason == nil, let ac = s.context, ac.pointee.err != 0 { reason = String(cString: ac.pointee.errstr) }
        s.contextFreed(reason: reason)
    }

    static let onReply:
        @convention(c) (UnsafeMutablePointer<redisAsyncContext>?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) ->
            Void = { ac, reply, privdata in
                let pending = Unmanaged<RedisStore.Pending>.fromOpaque(privdata!).takeRetainedValue()
                guard let data = ac!.pointee.data else { return pending.abandon() }
                let s = store(data)
                s.replied(pending, reply?.assumingMemoryBound(to: redisReply.self), context: ac!)
            }
}

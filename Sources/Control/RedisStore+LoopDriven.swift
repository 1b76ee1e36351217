import Store

/// A Redis client on the control server's loop (the keys endpoints' store).
extension RedisStore: LoopDriven {}

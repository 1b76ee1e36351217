/// Tuning of the distributed limiter. Defaults are the values the simulator's numbers justify
/// (docs/LIMITER.md); times are nanoseconds.
public struct LimiterSettings: Sendable, Equatable {
    /// How often `tick` runs and records go out. Default 200 ms (memberlist's LAN gossip interval).
    /// Shorter settles faster and bounds a simultaneous burst tighter (overshoot ≤ L × interval),
    /// at proportionally more gossip bytes.
    public var gossipInterval: Int64 = 200_000_000
    /// The demand EWMA averages over at least this many arrivals (its time constant grows to
    /// `minEvents / rate` for slow limits). Default 10.
    public var minEvents: Double = 10
    /// Time constant of the demand EWMA. Default 100 ms (half an interval): the estimate follows a
    /// shift within one sample (α = 0.86 at 200 ms) yet averages two samples of noise. 0 means the
    /// last interval's rate alone.
    public var demandTimeConstant: Int64 = 100_000_000
    /// The longest time constant of the demand EWMA (for the slowest limits). Default 10 s.
    public var maxDemandTimeConstant: Int64 = 10_000_000_000
    /// A record not refreshed for this long is dropped. Default 10 s. Must exceed the failure
    /// detection time: until membership declares a node dead its last record must keep holding its
    /// share, or both sides of a fresh partition would hand it out.
    public var recordTTL: Int64 = 10_000_000_000
    /// A limit turns hot on this node when its demand exceeds this fraction of an even share
    /// (budget / live members). Default 0.5.
    public var hotEnter: Double = 0.5
    /// ... and stays hot until the demand has stayed below `hotExit` × even share for `coolDown`.
    public var hotExit: Double = 0.25
    /// Default 5 s.
    public var coolDown: Int64 = 5_000_000_000
    /// ρ of the rule: the budget fraction kept for members without demand, split among them. 0.01.
    public var reserveFraction: Double = 0.01
    /// The fraction of the budget all minority sides of a partition may use together. Default 0.1
    /// (the acceptance bound: a split cluster admits at most 1.1 × budget).
    public var partitionSlack: Double = 0.1
    /// A member not seen alive for this long stops counting among the "last known members" that a
    /// side needs a majority of. Default 10 minutes: a partition shorter than this keeps the rule.
    public var forgetAfter: Int64 = 600_000_000_000
    /// How long the membership must be quiet before a live majority takes over the shares of the
    /// members it lost, when it lost more than one or one came back meanwhile (a lone loss by a
    /// healthy majority is taken over at once, provisionally: a second loss or a return within this
    /// time puts every missing member back at its fraction from before); and how long a member that
    /// reappeared is held at its old share while its first fresh record is on the way. Default 1 s:
    /// it must cover the spread of the detection times across the nodes of one side, or a side that
    /// loses the other half one member at a time would take over their shares while it still looks
    /// like a majority.
    public var takeoverDelay: Int64 = 1_000_000_000
    /// After start a node runs at the reserve share for this long, until its first records are out
    /// and the others' are in. Default 2 intervals.
    public var warmup: Int64 = 400_000_000
    /// The smallest bucket capacity in tokens, so that a small share does not waste the tokens that
    /// accrue while it waits for the next arrival. Default 4: a node at 1 token/s with 3 arrivals/s
    /// wastes the tokens that accrue while its bucket is full; with room for 2 that is ~1.6% of them
    /// (a 1/s limit admitted 58.9 per minute), with room for 4 under 0.1% (59.9 per minute). A limit
    /// that pools its idle tokens (`poolBelow`) uses 1: the pool takes what would be wasted.
    public var minCapacity: Double = 4
    /// Send-on-change deadband: a record goes out when the demand moved by more than this fraction
    /// of the last one sent. Default 0.25: in over-subscription the shares add up to the budget
    /// whatever the demands, so a 25% error in one node's weight only moves which node admits what
    /// (measured: docs/LIMITER.md); a shift or a new hot spot moves demand far more than that.
    public var changeThreshold: Double = 0.25
    /// ... and when the arrivals since the last record differ from what it predicts by more than this
    /// many standard deviations of a Poisson count (so noise alone rarely sends). Default 3.
    public var changeSignificance: Double = 3
    /// ... and otherwise every `refreshTicks` ticks, to repair a lost record and to keep it within
    /// `recordTTL`. Default 15 (3 s at 200 ms: three refreshes per TTL).
    public var refreshTicks: Int = 15
    /// A configured limit whose budget is below this many tokens per second per live member pools
    /// its idle tokens (TokenPool.swift): a node gives the tokens its bucket held through an interval
    /// to the pool, and a node that refuses a request may admit it with a token from the pool. Default 5
    /// (where Tyk's DRL gives up and counts in Redis); 0 never pools.
    public var poolBelow: Double = 5
    /// The most pool tokens one node's workers may draw in one interval. Default 1: two nodes that draw
    /// the same token before they hear of each other put the pool in debt, and more per node meant
    /// more such races (simulator: per-minute spread sd 1.13 with 2, 1.05 with 1).
    public var poolDrawsPerInterval: Int = 1
    /// Idle tokens go to the pool in multiples of this many (a node's fraction of a token counts too:
    /// ten nodes each holding 0.6 of a token hold six tokens nobody can use). Default 0.1. Simulator,
    /// 1/s limit over 10 nodes, seeds 1-12: minutes outside 60 ± 2 are 2 / 6 (Zipf / even) with 0.1,
    /// 4 / 6 with 0.25, 5 / 9 with 0.5, for 7.2, 4.3 and 3.5 KB/s of gossip per node (2.4 without
    /// the pool): each quantum given is a record.
    public var poolQuantum: Double = 0.1
    public init() {}
}

// How per-client limits become cluster-wide without a `DistributedLimit` per client: the workers'
// `KeyedLimiter` counts each client's arrivals in its cell; every limiter interval the control thread
// reads the counters and *promotes* a client into the `ClusterLimiter` when it matters to the cluster:
// its demand here exceeds `hotEnter` × an even share, or another node already gossips records for
// it. A promoted client is an ordinary cluster limit (id = hash of the table's id and the client's
// hash, the same on every node): the counts are fed into its `DemandCounters`, the usual records and
// allocation run, and the resulting share is written into the client's cell. Clients that are not
// promoted run at `defaultShare`, an even split (1 / live members), so a cold client cannot be
// admitted N times over before anyone notices. A promoted client is demoted after `coolDown` without
// arrivals here. At most `maxPromoted` clients per table are promoted at once, which bounds the
// cluster limiter's memory and the gossip whatever the number of clients.

/// The control thread's state for one `KeyedLimiter` in a cluster. Control thread only (it lives
/// inside `SharedClusterLimiter`'s lock).
struct KeyedClusterSync {
    /// Most clients of one table promoted at once.
    static let maxPromoted = 1024

    struct Promoted {
        let limit: DistributedLimit
        /// When the client last had an arrival on this node.
        var lastArrival: Int64
    }

    let id: LimitID
    let table: KeyedLimiter
    /// What the control thread saw in each cell at the last interval.
    private var lastKeys: [UInt64]
    private var lastArrivals: [UInt64]
    private var lastAdmitted: [UInt64]
    private var lastSampleAt: Int64
    private(set) var promoted: [UInt64: Promoted] = [:]

    init(id: LimitID, table: KeyedLimiter, now: Int64) {
        self.id = id
        self.table = table
        lastKeys = Array(repeating: 0, count: table.capacity)
        lastArrivals = Array(repeating: 0, count: table.capacity)
        lastAdmitted = Array(repeating: 0, count: table.capacity)
        lastSampleAt = now
    }

    /// The cluster-wide id of one client of this table.
    func clientID(_ client: UInt64) -> LimitID { LimitID(table: id, client: client) }

    var promotedIDs: [LimitID] { promoted.keys.map(clientID) }

    /// Before the limiter's tick: sets the default share, feeds the counts of promoted clients,
    /// promotes hot ones and demotes idle ones. Returns whether any client was demoted (the caller
    /// then drops their limits from `limiter`).
    mutating func sample(_ limiter: ClusterLimiter, liveMembers: Int, now: Int64) -> Bool {
        let members = Double(max(1, liveMembers))
        table.defaultShare = 1 / members
        let seconds = Double(max(1, now &- lastSampleAt)) / 1e9
        lastSampleAt = now
        for i in 0..<table.capacity {
            let key = table.key(at: i)
            let (arrivals, admitted) = table.counts(at: i)
            let fresh = key != lastKeys[i]
            let da = fresh ? arrivals : arrivals &- lastArrivals[i]
            let dadm = fresh ? admitted : admitted &- lastAdmitted[i]
            lastKeys[i] = key
            lastArrivals[i] = arrivals
            lastAdmitted[i] = admitted
            guard key != 0, da > 0, da < 1 << 62 else { continue }
            if var p = promoted[key] {
                p.limit.counters.add(worker: 0, arrivals: da, admitted: dadm)
                p.lastArrival = now
                promoted[key] = p
                continue
            }
            guard promoted.count < KeyedClusterSync.maxPromoted, let rate = table.rate(at: i) else { continue }
            let client = clientID(key)
            let even = rate.rate / rate.per / members
            guard Double(da) / seconds > limiter.settings.hotEnter * even || limiter.hasRecords(for: client) else {
                continue
            }
            let limit = limiter.limit(id: client, config: rate.config, everywhere: false, now: now)
            limit.counters.add(worker: 0, arrivals: da, admitted: dadm)
            promoted[key] = Promoted(limit: limit, lastArrival: now)
        }
        let idle = promoted.filter { now &- $0.value.lastArrival > limiter.settings.coolDown }.keys
        for key in idle {
            promoted[key] = nil
            if let i = table.find(key) { table.setShare(nil, at: i, now: now) }
        }
        return !idle.isEmpty
    }

    /// After the limiter's tick: writes each promoted client's share into its cell.
    func apply(_ limiter: ClusterLimiter, now: Int64) {
        for (key, p) in promoted {
            guard let i = table.find(key), let share = limiter.share(of: p.limit.id) else { continue }
            let budget = p.limit.budget
            table.setShare(budget > 0 ? share / budget : 0, at: i, now: now)
        }
    }
}

extension LimitID {
    /// The id of one client (`KeyHasher` hash) of the keyed limit `table`: the same on every node that
    /// uses the same hasher seed. Neither the client's value nor its hash alone travels.
    public init(table: LimitID, client: UInt64) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(17)
        bytes.append(0x6b)  // "k": a different input length and tag than any configured key
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: table.raw >> UInt64(shift))) }
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: client >> UInt64(shift))) }
        self.init(key: bytes)
    }
}

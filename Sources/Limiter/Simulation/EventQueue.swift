/// A binary min-heap of timed events; ties keep insertion order (a sequence number), so a run is
/// deterministic. Owner only.
struct EventQueue<Payload> {
    private var heap: [(time: Int64, seq: UInt64, payload: Payload)] = []
    private var seq: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var nextTime: Int64? { heap.first?.time }

    mutating func push(_ time: Int64, _ payload: Payload) {
        seq &+= 1
        heap.append((time, seq, payload))
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if less(heap[i], heap[p]) {
                heap.swapAt(i, p)
                i = p
            } else {
                break
            }
        }
    }

    mutating func pop() -> (time: Int64, payload: Payload)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < heap.count && less(heap[l], heap[m]) { m = l }
            if r < heap.count && less(heap[r], heap[m]) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return (top.time, top.payload)
    }

    private func less(_ a: (time: Int64, seq: UInt64, payload: Payload), _ b: (time: Int64, seq: UInt64, payload: Payload))
        -> Bool
    {
        a.time != b.time ? a.time < b.time : a.seq < b.seq
    }
}

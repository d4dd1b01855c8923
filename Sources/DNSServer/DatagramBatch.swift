import CDatagram
import Glibc

/// The memory of one worker's batched I/O, allocated once: `count` slots, each with room for
/// a query, its sender's address and its answer, and the message headers that recvmmsg and
/// sendmmsg take, pointing into them. Owned by one worker thread.
struct DatagramBatch {
    let count: Int
    let querySize: Int
    let answerSize: Int
    private let queries: UnsafeMutableRawPointer
    private let answers: UnsafeMutableRawPointer
    private let senders: UnsafeMutablePointer<sockaddr_storage>
    private let vectors: UnsafeMutablePointer<iovec>
    /// recvmmsg's headers: slot `i` receives into query buffer `i`.
    let received: UnsafeMutablePointer<cdns_mmsghdr>
    /// sendmmsg's headers, filled by ``queue(_:length:at:)`` in sending order.
    let outgoing: UnsafeMutablePointer<cdns_mmsghdr>

    init(count: Int, querySize: Int, answerSize: Int) {
        self.count = count
        self.querySize = querySize
        self.answerSize = answerSize
        queries = .allocate(byteCount: count * querySize, alignment: 16)
        answers = .allocate(byteCount: count * answerSize, alignment: 16)
        senders = .allocate(capacity: count)
        senders.initialize(repeating: sockaddr_storage(), count: count)
        vectors = .allocate(capacity: 2 * count)
        received = .allocate(capacity: count)
        outgoing = .allocate(capacity: count)
        for slot in 0..<count {
            vectors[slot] = iovec(iov_base: queries + slot * querySize, iov_len: querySize)
            vectors[count + slot] = iovec(iov_base: answers + slot * answerSize, iov_len: 0)
            var header = cdns_mmsghdr()
            header.msg_hdr.msg_name = UnsafeMutableRawPointer(senders + slot)
            header.msg_hdr.msg_iov = vectors + slot
            header.msg_hdr.msg_iovlen = 1
            received[slot] = header
            outgoing[slot] = cdns_mmsghdr()
        }
    }

    func deallocate() {
        queries.deallocate()
        answers.deallocate()
        senders.deallocate()
        vectors.deallocate()
        received.deallocate()
        outgoing.deallocate()
    }

    /// Readies every slot for the next recvmmsg (the kernel shrinks the address length and
    /// sets flags).
    @inline(__always)
    func prepareToReceive() {
        for slot in 0..<count {
            received[slot].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            received[slot].msg_hdr.msg_flags = 0
        }
    }

    /// The query received in `slot`.
    @inline(__always)
    func query(_ slot: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: queries + slot * querySize, count: Int(received[slot].msg_len))
    }

    /// Where the answer to `slot`'s query is written.
    @inline(__always)
    func answer(_ slot: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: answers + slot * answerSize, count: answerSize)
    }

    /// The first `length` bytes of `slot`'s answer.
    func answer(_ slot: Int, length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: answers + slot * answerSize, count: length)
    }

    /// Who sent `slot`'s query.
    @inline(__always)
    func sender(_ slot: Int) -> UnsafePointer<sockaddr_storage> {
        UnsafePointer(senders + slot)
    }

    /// Makes outgoing message `position` carry `length` bytes of `slot`'s answer to its sender.
    @inline(__always)
    func queue(_ slot: Int, length: Int, at position: Int) {
        vectors[count + slot].iov_len = length
        outgoing[position].msg_hdr.msg_name = UnsafeMutableRawPointer(senders + slot)
        outgoing[position].msg_hdr.msg_namelen = received[slot].msg_hdr.msg_namelen
        outgoing[position].msg_hdr.msg_iov = vectors + count + slot
        outgoing[position].msg_hdr.msg_iovlen = 1
    }
}

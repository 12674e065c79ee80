/// Values keyed by file descriptor, in an array indexed by it. The kernel hands out the lowest free descriptor, so
/// the table stays dense, and a lookup on every epoll event is an index instead of a hash (a `Dictionary` lookup
/// cost about 200 instructions, two an upstream event: a tenth of a paced stream event's user-space work).
struct FileDescriptorTable<Value> {
    private var slots: [Value?] = []
    /// Descriptors holding a value.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    subscript(fd: Int32) -> Value? {
        get {
            let index = Int(fd)
            return index >= 0 && index < slots.count ? slots[index] : nil
        }
        set {
            let index = Int(fd)
            precondition(index >= 0, "a file descriptor is never negative")
            if index >= slots.count {
                guard newValue != nil else { return }
                slots.append(contentsOf: repeatElement(nil, count: index + 1 - slots.count))
            }
            if slots[index] == nil { count += newValue == nil ? 0 : 1 } else if newValue == nil { count -= 1 }
            slots[index] = newValue
        }
    }

    /// Removes `fd`'s value and returns it.
    @discardableResult
    mutating func removeValue(forKey fd: Int32) -> Value? {
        let old = self[fd]
        self[fd] = nil
        return old
    }

    /// Every value, in descriptor order (a copy: the caller may change the table while going through it).
    var values: [Value] { slots.compactMap { $0 } }
}

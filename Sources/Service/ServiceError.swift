/// Errors of the daemon itself (set-up, discovery); API errors are `APIError`.
public enum ServiceError: Error, CustomStringConvertible {
    case setup(String)

    public var description: String {
        switch self {
        case .setup(let message): return message
        }
    }
}

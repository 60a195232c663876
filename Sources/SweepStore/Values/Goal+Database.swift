import GRDB
import Vocabulary

/// A sweep's goal is stored as its raw text.
extension Goal: DatabaseValueConvertible {}

import Foundation
print("palimpsest")

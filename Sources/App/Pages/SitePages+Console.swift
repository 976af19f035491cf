import Foundation
import GoodcastCore
import Hummingbird

/// The nonprofit console: the getting-started checklist, analytics with charts, ad credits.
extension SitePages {
    func addConsoleRoutes(to router: Router<AppRequestContext>) {
    }
}

import Foundation
import ForecastModels

/// The study hook of `scripts/accuracy.py --dump-validation` and `m4_hourly.py --dump`: when
/// `FORECAST_COMBINATION_DUMP` names a folder, `fit` writes what its combination scored for each
/// series (every candidate's forecasts at the validation origins and the actual values there) to
/// `<folder>/<series id, or "series">.json`, for Benchmarks/accuracy/combination_study.py.
enum CombinationDump {
    /// The observer to attach to training, or nil when the variable is not set.
    static func observer() -> (@Sendable (CombinationEvidence) -> Void)? {
        guard let folder = ProcessInfo.processInfo.environment["FORECAST_COMBINATION_DUMP"], !folder.isEmpty else { return nil }
        return { evidence in
            let object: [String: Any] = ["id": evidence.id ?? "", "origins": evidence.origins,
                                         "actual": evidence.actual, "forecasts": evidence.forecasts]
            guard JSONSerialization.isValidJSONObject(object),
                  let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
            let name = String((evidence.id ?? "series").map { $0.isLetter || $0.isNumber ? $0 : "_" })
            try? data.write(to: URL(fileURLWithPath: folder).appendingPathComponent(name + ".json"))
        }
    }
}

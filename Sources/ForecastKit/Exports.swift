// ForecastKit is the one import a pipeline needs: it re-exports every public module.
@_exported import ForecastData
@_exported import ForecastNN
@_exported import ForecastMetrics
@_exported import ForecastModels

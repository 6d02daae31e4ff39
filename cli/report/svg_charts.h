// Inline SVG charts for the HTML report: standalone <svg> elements with their own axes, labels
// and legends, in colours (Okabe & Ito's palette, a purple–orange diverging scale) that readers
// with colour-vision deficiencies can tell apart, and with markers and dashes so that no series
// depends on colour alone. Standard library only; every text is escaped.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/html_escape.h"

namespace augsweep::cli {

// One point of a series: a value with its interval, at a category of the x axis.
struct ChartPoint {
  int x = 0;  // index into LineChart::x_labels
  double y = 0;
  double low = 0, high = 0;  // the error bar
};

struct ChartSeries {
  std::string name;
  std::vector<ChartPoint> points;
};

// Series over categorical x positions, each point with an error bar, and an optional reference
// line (a baseline) with its band.
struct LineChart {
  std::string id;  // the svg's id
  std::string title;
  std::string x_label, y_label;
  std::vector<std::string> x_labels;
  std::vector<ChartSeries> series;
  std::optional<double> reference;  // drawn as a dashed line across the plot
  double reference_low = 0, reference_high = 0;
  std::string reference_name;
};
std::string RenderLineChart(const LineChart& chart);

// A matrix of signed values (nullopt: no value) as coloured cells with the value written in
// each; a legend shows the scale. Negative orange, positive purple, zero white.
struct Heatmap {
  std::string id;
  std::string title;
  std::vector<std::string> row_labels, column_labels;
  std::vector<std::vector<std::optional<double>>> values;  // [row][column]
  std::string value_label;                                 // what the numbers are
};
std::string RenderHeatmap(const Heatmap& map);

// Horizontal stacked bars: per category, one segment per part.
struct StackedBars {
  std::string id;
  std::string title;
  std::string value_label;
  std::vector<std::string> categories;
  std::vector<std::string> parts;
  std::vector<std::vector<double>> values;  // [category][part], each >= 0
};
std::string RenderStackedBars(const StackedBars& bars);

}  // namespace augsweep::cli

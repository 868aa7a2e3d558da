// The KPI page's charts (Apache ECharts, served by the product): the data is in the page,
// and a click on a point opens the requests behind it.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kpi-charts").textContent);
  var palette = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828"];
  document.querySelectorAll(".chart[data-chart]").forEach(function (element) {
    var chart = data[element.dataset.chart];
    var kind = element.dataset.kind;
    var instance = echarts.init(element, null, { renderer: "svg" });
    instance.setOption({
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 44, right: 16, top: 16, bottom: 56 },
      xAxis: { type: "category", data: chart.labels },
      yAxis: { type: "value", max: element.dataset.chart === "compliance" ? 100 : null },
      series: chart.series.map(function (series) {
        return {
          name: series.name,
          type: kind,
          stack: kind === "bar" && element.dataset.chart !== "load" ? "total" : undefined,
          connectNulls: true,
          data: series.data,
        };
      }),
    });
    instance.on("click", function (params) {
      var link = chart.series[params.seriesIndex].links[params.dataIndex];
      if (link) { window.location.href = link; }
    });
    window.addEventListener("resize", function () { instance.resize(); });
  });
})();

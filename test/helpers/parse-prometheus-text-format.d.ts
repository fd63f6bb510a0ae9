// Types for the independent Prometheus text parser the metrics test reads /metrics with (the package ships none).
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}

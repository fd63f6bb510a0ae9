{
  "targets": [
    {
      "target_name": "udp_batch",
      "conditions": [["OS=='linux'", { "sources": ["server/net/native/udp-batch.c"] }]],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}

{
  "targets": [
    {
      "target_name": "udp_batch",
      "conditions": [["OS=='linux'", { "sources": ["server/net/native/udp-batch.c"] }]],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    },
    {
      "target_name": "sha1",
      "conditions": [["OS=='linux'", { "sources": ["signer/native/sha1.c"] }]],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-deprecated-declarations"]
    },
    {
      "target_name": "ecdsa",
      "conditions": [["OS=='linux'", { "sources": ["signer/native/ecdsa.c"] }]],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-deprecated-declarations"]
    }
  ]
}

;; warden diff regression: validation|warden=malformed,wabt=valid|malformed data segment kind|in section 11
;; explained by peer rule wabt-1.0.32-data-segment-flags (Warden behaves as below)
;; found by warden diff --seed 21: the kind 5 written as the two-byte LEB128 85 00
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\0b\0a\01\85\00\06\ef\98\9a\ef\92\a9")
  "malformed data segment kind")

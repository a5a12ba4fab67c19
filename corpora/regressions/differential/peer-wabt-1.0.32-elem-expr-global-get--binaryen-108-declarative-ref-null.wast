;; warden diff regression: validation|warden=valid,wabt=rejected,binaryen=rejected|expected ref.null or ref.func in passive element|in section 9
;; explained by peer rule wabt-1.0.32-elem-expr-global-get+binaryen-108-declarative-ref-null (Warden behaves as below)
(assert_unlinkable
  (module binary
    "\00\61\73\6d\01\00\00\00\02\0e\01\07\6d\6f\64\75\6c\65\34\01\66\03\70\00\09\07\01\07\70\01\23\00"
    "\0b")
  "unknown import")

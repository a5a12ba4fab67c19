;; warden diff regression: validation|warden=valid,wabt=rejected|expected ref.null or ref.func in passive element|in section 9
;; explained by peer rule wabt-1.0.32-elem-expr-global-get (Warden behaves as below)
(assert_unlinkable
  (module binary
    "\00\61\73\6d\01\00\00\00\02\0e\01\07\6d\6f\64\75\6c\65\34\01\66\03\70\00\04\04\01\70\00\0a\00\06"
    "\03\78\37\39\2d\f7\09\09\01\04\41\00\0b\01\23\00\0b")
  "unknown import")

;; warden diff regression: validation|warden=malformed,wabt=valid|illegal opcode|byte 0x0a
;; explained by peer rule wabt-1.0.32-elem-expr-error-ignored (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\23\07\60\00\00\60\00\01\7e\60\00\01\70\60\03\7f\6f\70\00\60\04\6f\7e"
    "\7f\7e\00\60\02\7f\7d\00\60\02\7c\7c\00\02\33\02\08\73\70\65\63\74\65\73\74\0d\70\72\69\6e\74\5f"
    "\69\33\32\5f\66\33\32\00\05\08\73\70\65\63\74\65\73\74\0d\70\72\69\6e\74\5f\66\36\34\5f\66\36\34"
    "\00\06\03\02\01\02\09\16\02\05\70\04\d0\70\0b\d0\70\0b\fd\01\0b\d0\70\0b\03\00\03\00\01\02\0c\01"
    "\01\0a\05\01\03\00\00\0b")
  "illegal opcode")

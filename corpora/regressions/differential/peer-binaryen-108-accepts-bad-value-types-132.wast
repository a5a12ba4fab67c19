;; warden diff regression: validation|warden=malformed,binaryen-npm=valid|malformed value type|in section 1
;; explained by peer rule binaryen-108-accepts-bad-value-types (Warden behaves as below)
;; (type (func (result <0x6e: anyref>))): Binaryen 132 reads GC types without GC.
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\6e")
  "malformed value type")

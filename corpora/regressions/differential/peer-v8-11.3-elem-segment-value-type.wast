;; warden diff regression: validation|warden=malformed,v8=valid|malformed reference type|in section 9
;; explained by peer rule v8-11.3-elem-segment-value-type (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\09\0e\01\05\7c\01\44\00\00\00\00\00\00\00\00\0b")
  "malformed reference type")

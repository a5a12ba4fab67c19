;; warden diff regression: validation|warden=valid,wabt=malformed,binaryen=rejected|unable to read uN lebN: name type
;; explained by peer rule wabt-1.0.32-name-section-errors-reject-module+binaryen-108-name-section-errors-reject-module (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\00\07\04\6e\61\6d\65\8d\c2")

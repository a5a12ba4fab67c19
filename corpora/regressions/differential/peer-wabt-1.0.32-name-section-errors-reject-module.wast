;; warden diff regression: validation|warden=valid,wabt=malformed|invalid utf-N encoding: module name|in section 0
;; explained by peer rule wabt-1.0.32-name-section-errors-reject-module (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\00\09\04\6e\61\6d\65\00\02\01\90")

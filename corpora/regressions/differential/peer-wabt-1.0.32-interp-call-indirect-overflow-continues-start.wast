;; peer bug wabt-1.0.32-interp-call-indirect-overflow-continues (differential/peer-bugs.md)
;; warden diff --seed 20261211, bucket trap|instantiate|wabt|warden=trap:unreachable,wabt=ok,
;; replayed from its minimized module (Warden behaves as below).
;; The masked form in a start function: its call_indirect recursion
;; overflowed at wabt 1.0.32's 1638 frames, the frames below went on to the
;; end, and wabt instantiated the module "ok" without reporting any trap.
(assert_trap
  (module binary
    "\00\61\73\6d\01\00\00\00\01\0b\02\60\00\00\60\00\04\7f\7f\7f\7e\03\03\02\00\01\04\05\01\70\01\05"
    "\3e\06\11\03\7f\01\41\b8\17\0b\7f\01\41\00\0b\7e\01\42\00\0b\07\09\01\05\73\74\61\74\65\00\01\08"
    "\01\00\09\07\01\00\41\00\0b\01\00\0a\4a\02\36\00\02\40\23\00\45\04\40\00\0b\23\00\41\01\6b\23\00"
    "\ad\23\02\85\42\95\f8\a9\fa\97\b7\de\9b\9e\7f\7e\24\02\24\00\02\40\41\ff\ff\ff\ff\07\41\7f\48\11"
    "\00\00\0b\0b\0b\11\03\01\7f\01\7e\01\7f\23\01\23\00\fc\10\00\23\02\0b")
  "unreachable")

;; peer bug wabt-1.0.32-interp-call-indirect-overflow-continues (differential/peer-bugs.md)
;; A call_indirect that exhausts the call stack traps, and the trap unwinds
;; every frame (spec 4.4.8, 4.5.3): the global.set after the call never
;; runs, at any depth limit. wabt 1.0.32 runs it in every frame below the
;; overflow (h = 1637) before it reports the trap. Found by
;; `warden diff --time 180s --seed 9105`, in the depth-matched rerun.
(module
  (type $t (func))
  (table 1 funcref)
  (elem (i32.const 0) $f)
  (global $h (mut i32) (i32.const 0))
  (func $f (type $t)
    (call_indirect (type $t) (i32.const 0))
    (global.set $h (i32.add (global.get $h) (i32.const 1))))
  (func (export "run") (call $f))
  (func (export "h") (result i32) (global.get $h)))
(assert_exhaustion (invoke "run") "call stack exhausted")
(assert_return (invoke "h") (i32.const 0))
;; A direct call overflows the same way in every engine: the control case.
(module
  (global $h (mut i32) (i32.const 0))
  (func $f
    (call $f)
    (global.set $h (i32.add (global.get $h) (i32.const 1))))
  (func (export "run") (call $f))
  (func (export "h") (result i32) (global.get $h)))
(assert_exhaustion (invoke "run") "call stack exhausted")
(assert_return (invoke "h") (i32.const 0))

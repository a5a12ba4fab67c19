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
;; The abort form (seed 9107, minimized): the frames that go on pop the
;; results the overflowing call never pushed, and spectest-interp 1.0.32
;; dies ("Assertion `values_.size() >= types.size()' failed") where the
;; spec traps.
(module
  (type $t (func (param f64) (result f64 i32)))
  (table 8 funcref)
  (elem (i32.const 7) $f)
  (func $f (type $t)
    (f64.const 1) (f32.const 2) (i32.const 3)
    (call_indirect (type $t) (local.get 0) (i32.const 7))
    (drop) (drop) (drop) (drop)
    (i32.const 0))
  (func (export "run") (result i32) (local i32)
    (call $f (f64.const 0)) (local.set 0) (drop) (local.get 0)))
(assert_exhaustion (invoke "run") "call stack exhausted")
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

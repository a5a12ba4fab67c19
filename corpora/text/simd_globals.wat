(module
  (global (import "spectest" "global_i32") i32)
  (global $g (mut i32) (i32.const 0))
  (global $v v128 (v128.const i32x4 1 2 3 4))
  (func (export "simd") (param v128) (result i32)
    (local $x v128)
    (local.set $x (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (local.get 0) (global.get $v)))
    (local.set $x (f32x4.add (local.get $x) (f32x4.splat (f32.const nan))))
    (i32x4.extract_lane 2 (i32x4.replace_lane 1 (local.get $x) (global.get $g)))))

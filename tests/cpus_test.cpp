// The CPU count behind --load-threads' default (tools/warden/cpus.cpp):
// cgroup bandwidth limits, v2 and v1, read from a fake tree where a fake
// /proc/self/mountinfo mounts them.
#include "../tools/warden/cpus.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <fstream>

using namespace warden::cli;
namespace fs = std::filesystem;

TEST(CpuMax, ParsesQuotaOverPeriodRoundedUp) {
  EXPECT_EQ(cpus_of_cpu_max("max 100000\n"), std::nullopt);
  EXPECT_EQ(cpus_of_cpu_max("200000 100000\n"), 2u);
  EXPECT_EQ(cpus_of_cpu_max("150000 100000"), 2u);
  EXPECT_EQ(cpus_of_cpu_max("50000 100000"), 1u);
  EXPECT_EQ(cpus_of_cpu_max("400000"), 4u);  // the period defaults to 100000
  EXPECT_EQ(cpus_of_cpu_max("0 100000"), std::nullopt);
  EXPECT_EQ(cpus_of_cpu_max("100000 0"), std::nullopt);
  EXPECT_EQ(cpus_of_cpu_max("12x 100000"), std::nullopt);
  EXPECT_EQ(cpus_of_cpu_max(""), std::nullopt);
  EXPECT_EQ(cpus_of_cfs("-1\n", "100000\n"), std::nullopt);
  EXPECT_EQ(cpus_of_cfs("300000\n", "100000\n"), 3u);
  EXPECT_EQ(cpus_of_cfs("300000", "nope"), std::nullopt);
}

// A fake tree below a scratch directory, with a mountinfo that mounts
// the cgroup hierarchies in it.
class CgroupTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("warden-cgroup-" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const fs::path& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  std::optional<unsigned> limit(std::string_view cgroup, std::string_view mountinfo) {
    return cgroup_cpu_limit(cgroup, mountinfo, root_);
  }
  fs::path root_;
};

// Debian 12 and most current systems: the unified hierarchy alone.
constexpr std::string_view kV2 =
    "22 1 0:21 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";

TEST_F(CgroupTree, V2TakesTheTightestOfTheGroupAndItsAncestors) {
  write("sys/fs/cgroup/system.slice/ci.service/cpu.max", "max 100000\n");
  write("sys/fs/cgroup/system.slice/cpu.max", "300000 100000\n");
  EXPECT_EQ(limit("0::/system.slice/ci.service\n", kV2), 3u);
  write("sys/fs/cgroup/system.slice/ci.service/cpu.max", "150000 100000\n");
  EXPECT_EQ(limit("0::/system.slice/ci.service\n", kV2), 2u);
  // A container with its own cgroup namespace sees its group as the root.
  write("sys/fs/cgroup/cpu.max", "100000 100000\n");
  EXPECT_EQ(limit("0::/\n", kV2), 1u);
}

TEST_F(CgroupTree, V2MountedElsewhereOrOfAGroupBelowTheMount) {
  // A container without its own cgroup namespace, its group bind-mounted:
  // /proc/self/cgroup names the group from the host's root.
  const std::string mountinfo = "600 590 0:29 /docker/abc /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw\n";
  write("sys/fs/cgroup/cpu.max", "200000 100000\n");
  write("sys/fs/cgroup/job/cpu.max", "max 100000\n");
  write("sys/fs/cpu.max", "100000 100000\n");  // above the mount point: not an ancestor
  EXPECT_EQ(limit("0::/docker/abc/job\n", mountinfo), 2u);
  EXPECT_EQ(limit("0::/docker/abcd\n", mountinfo), std::nullopt);  // not below the mount's root
  // A mount point with a space in it, as mountinfo escapes it.
  write("cg roups/cpu.max", "400000 100000\n");
  EXPECT_EQ(limit("0::/\n", "7 1 0:9 / /cg\\040roups rw - cgroup2 none rw\n"), 4u);
}

TEST_F(CgroupTree, V1ReadsWhereTheCpuControllerIsMounted) {
  // The controllers' directory named otherwise than their list: only
  // mountinfo tells where they are.
  const std::string hybrid =
      "30 25 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
      "31 25 0:27 / /sys/fs/cgroup/cpu rw,nosuid shared:11 - cgroup cgroup rw,cpu,cpuacct\n"
      "32 25 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
  write("sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us", "200000\n");
  write("sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us", "100000\n");
  write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
  write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
  const std::string groups = "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/docker/abc\n";
  EXPECT_EQ(limit(groups, hybrid), 2u);
  // The cpuacct controller alone holds no limit, even with a quota file
  // where its group would be.
  write("sys/fs/cgroup/cpuacct/docker/abc/cpu.cfs_quota_us", "100000\n");
  write("sys/fs/cgroup/cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
  const std::string cpuacct = "33 25 0:29 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct\n";
  EXPECT_EQ(limit("3:cpuacct:/docker/abc\n", cpuacct), std::nullopt);
}

TEST_F(CgroupTree, NoLimitWhenNothingCanBeReadOrThePathLeavesTheMount) {
  EXPECT_EQ(limit("0::/a/b\n", kV2), std::nullopt);
  EXPECT_EQ(limit("garbage\n\n", kV2), std::nullopt);
  EXPECT_EQ(limit("", kV2), std::nullopt);
  EXPECT_EQ(limit("0::/\n", ""), std::nullopt);  // no mountinfo, no hierarchy
  // Up and out of the mount to a limit beside it: never read.
  write("sys/fs/escape/cpu.max", "100000 100000\n");
  EXPECT_EQ(limit("0::/../escape\n", kV2), std::nullopt);
  EXPECT_EQ(limit("0::/a/../../escape\n", kV2), std::nullopt);
}

TEST(UsableCpus, AtLeastOneAndNoMoreThanTheAffinityMask) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  const unsigned n = usable_cpus();
  EXPECT_GE(n, 1u);
  EXPECT_LE(n, static_cast<unsigned>(CPU_COUNT(&set)));
}

// The CPU count behind --load-threads' default (tools/warden/cpus.cpp):
// cgroup bandwidth limits, v2 and v1, read from a directory laid out like
// /sys/fs/cgroup.
#include "../tools/warden/cpus.hpp"

#include <gtest/gtest.h>
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
  fs::path root_;
};

TEST_F(CgroupTree, V2TakesTheTightestOfTheGroupAndItsAncestors) {
  write("system.slice/ci.service/cpu.max", "max 100000\n");
  write("system.slice/cpu.max", "300000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit("0::/system.slice/ci.service\n", root_), 3u);
  write("system.slice/ci.service/cpu.max", "150000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit("0::/system.slice/ci.service\n", root_), 2u);
  // A container with its own cgroup namespace sees its group as the root.
  write("cpu.max", "100000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit("0::/\n", root_), 1u);
}

TEST_F(CgroupTree, V1ReadsTheCpuControllersHierarchy) {
  write("cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "200000\n");
  write("cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
  write("cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  write("cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  const std::string hybrid = "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/docker/abc\n";
  EXPECT_EQ(cgroup_cpu_limit(hybrid, root_), 2u);
  EXPECT_EQ(cgroup_cpu_limit("2:cpuacct:/docker/abc\n", root_), std::nullopt);  // not the cpu controller
}

TEST_F(CgroupTree, NoLimitWhenNothingCanBeRead) {
  EXPECT_EQ(cgroup_cpu_limit("0::/a/b\n", root_), std::nullopt);
  EXPECT_EQ(cgroup_cpu_limit("garbage\n\n", root_), std::nullopt);
  EXPECT_EQ(cgroup_cpu_limit("0::/../../etc\n", root_), std::nullopt);
  EXPECT_EQ(cgroup_cpu_limit("", root_), std::nullopt);
}

TEST(UsableCpus, AtLeastOneAndNoMoreThanTheAffinityMask) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  const unsigned n = usable_cpus();
  EXPECT_GE(n, 1u);
  EXPECT_LE(n, static_cast<unsigned>(CPU_COUNT(&set)));
}

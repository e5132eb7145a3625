package io.tapflow.collector.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** /proc/&lt;pid&gt;/cgroup contents in the shapes runtimes and cgroup drivers produce. */
class CgroupInfoTest {

    private static final String ID = "3f1c9b0e5d2a4c7b8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // runtime / driver | cgroup file | container id | pod uid
            "docker, cgroup v2 systemd | 0::/system.slice/docker-" + ID + ".scope | " + ID + " | ",
            "docker, cgroup v1 cgroupfs | 12:memory:/docker/" + ID + " | " + ID + " | ",
            "containerd in k8s, systemd driver | 0::/kubepods.slice/kubepods-burstable.slice/"
                    + "kubepods-burstable-pod7d1ea4b6_2f4f_4c3b_9b1e_6f3b2a1c0d9e.slice/cri-containerd-" + ID
                    + ".scope | " + ID + " | 7d1ea4b6-2f4f-4c3b-9b1e-6f3b2a1c0d9e",
            "cri-o in k8s, besteffort | 0::/kubepods.slice/kubepods-besteffort.slice/"
                    + "kubepods-besteffort-pod0b2a5f3c_1234_4d5e_8f9a_0123456789ab.slice/crio-" + ID + ".scope | "
                    + ID + " | 0b2a5f3c-1234-4d5e-8f9a-0123456789ab",
            "guaranteed QoS pod (no QoS slice) | 0::/kubepods.slice/kubepods-pod0b2a5f3c_1234_4d5e_8f9a_0123456789ab"
                    + ".slice/cri-containerd-" + ID + ".scope | " + ID + " | 0b2a5f3c-1234-4d5e-8f9a-0123456789ab",
            "k8s cgroupfs driver, v1 | 11:cpu,cpuacct:/kubepods/burstable/pod0b2a5f3c-1234-4d5e-8f9a-0123456789ab/"
                    + ID + " | " + ID + " | 0b2a5f3c-1234-4d5e-8f9a-0123456789ab",
            "podman rootless, inner cgroup | 0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
                    + ID + ".scope/container | " + ID + " | ",
            "cri-o conmon is not a container | 0::/kubepods.slice/kubepods-burstable.slice/crio-conmon-" + ID
                    + ".scope |  | ",
            "a host service | 0::/system.slice/nginx.service |  | ",
            "root cgroup | 0::/ |  | ",
    })
    void containerAndPodFromThePath(String shape, String file, String containerId, String podUid) {
        CgroupInfo info = CgroupInfo.parse(file);
        assertThat(info.containerId()).as(shape).isEqualTo(containerId);
        assertThat(info.podUid()).as(shape).isEqualTo(podUid);
        assertThat(info.path()).isEqualTo(file.substring(file.indexOf(':', file.indexOf(':') + 1) + 1));
    }

    @Test
    void cgroupV1FilePrefersTheHierarchyThatNamesTheContainer() {
        String file = String.join("\n",
                "12:pids:/",
                "11:memory:/docker/" + ID,
                "10:cpu,cpuacct:/docker/" + ID,
                "1:name=systemd:/docker/" + ID);
        CgroupInfo info = CgroupInfo.parse(file);
        assertThat(info.containerId()).isEqualTo(ID);
        assertThat(info.path()).isEqualTo("/docker/" + ID);
    }

    @Test
    void thisMachinesOwnCgroupFileParses() throws IOException {
        CgroupInfo info = CgroupInfo.parse(Files.readString(Path.of("/proc/self/cgroup")));
        assertThat(info.path()).isNotNull().startsWith("/");
    }
}

package io.tapflow.localstack.process;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Closes the shared servers when the test session ends, while the test JVM is still running normally, so that
 * nothing is left for shutdown hooks (registered in META-INF/services).
 */
public final class SharedServersSessionListener implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        SharedInstance.closeAll();
    }
}

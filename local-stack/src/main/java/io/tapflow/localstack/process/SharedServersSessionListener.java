package io.tapflow.localstack.process;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Closes the shared servers when a JUnit test session ends, while the test JVM is still running normally, so that
 * nothing is left for shutdown hooks. Registered in this jar's META-INF/services, so every module whose tests use
 * {@code shared()} servers gets it.
 */
public final class SharedServersSessionListener implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        SharedInstance.closeAll();
    }
}

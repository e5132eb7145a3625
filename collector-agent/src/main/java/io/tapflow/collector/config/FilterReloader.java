package io.tapflow.collector.config;

import io.tapflow.collector.source.CaptureFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the config file's modification time and, when it changes, re-reads the capture filter from it. Called
 * from the polling thread (sources apply filters there), at most every poll interval. A file that no longer
 * parses is reported in one log line and the running filter stays.
 */
public final class FilterReloader {

    private static final Logger LOG = LoggerFactory.getLogger(FilterReloader.class);

    private final CollectorConfig config;
    private final Path file;
    private final long intervalNanos;
    private FileTime lastModified;
    private long lastCheck;
    private CaptureFilter current;

    public FilterReloader(CollectorConfig config, CaptureFilter initial, long intervalMs) {
        this.config = config;
        this.file = config.file();
        this.intervalNanos = intervalMs * 1_000_000L;
        this.current = initial;
        this.lastModified = modified();
        this.lastCheck = System.nanoTime();
    }

    /** A new filter when the file changed since the last check and still parses; empty otherwise. */
    public Optional<CaptureFilter> poll() {
        if (file == null || System.nanoTime() - lastCheck < intervalNanos) {
            return Optional.empty();
        }
        lastCheck = System.nanoTime();
        FileTime modified = modified();
        if (modified == null || modified.equals(lastModified)) {
            return Optional.empty();
        }
        lastModified = modified;
        try {
            CaptureFilter filter = config.reloadedFilter(CollectorConfig.readFile(file));
            if (filter.equals(current)) {
                return Optional.empty();
            }
            current = filter;
            LOG.info("capture filter reloaded from {}: {}", file, filter);
            return Optional.of(filter);
        } catch (ConfigException e) {
            LOG.warn("config file {} changed but is not valid, keeping the running filter: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    public CaptureFilter current() {
        return current;
    }

    private FileTime modified() {
        try {
            return file == null ? null : Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }
}

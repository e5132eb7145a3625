package io.tapflow.collector.pcap;

import java.io.IOException;

/** The file is not a capture file this reader understands, or its headers contradict themselves. */
public class CaptureFormatException extends IOException {

    public CaptureFormatException(String message) {
        super(message);
    }
}

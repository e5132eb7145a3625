package io.tapflow.protocols.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EndpointNormalizerTest {

    private final EndpointNormalizer n = EndpointNormalizer.defaults();

    @Test
    void idSegmentsBecomeThePlaceholderAndTheQueryGoes() {
        assertThat(n.normalize("/users/42/orders/0017?expand=items#top")).isEqualTo("/users/{id}/orders/{id}");
        assertThat(n.normalize("/v1/items/3f2504e0-4f89-11d3-9a0c-0305e82c3301"))
                .isEqualTo("/v1/items/{id}");
        assertThat(n.normalize("/blobs/507f1f77bcf86cd799439011/raw")).isEqualTo("/blobs/{id}/raw");
        assertThat(n.normalize("/commits/da39a3ee5e6b4b0d3255bfef95601890afd80709")).isEqualTo("/commits/{id}");
        assertThat(n.normalize("/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/logs")).isEqualTo("/runs/{id}/logs");
    }

    @Test
    void wordsVersionsSlugsAndFilesAreKept() {
        assertThat(n.normalize("/api/v2/health")).isEqualTo("/api/v2/health");
        assertThat(n.normalize("/blog/my-first-post-2024")).isEqualTo("/blog/my-first-post-2024");
        assertThat(n.normalize("/img/12345.jpg")).isEqualTo("/img/12345.jpg");
        assertThat(n.normalize("/deadbeefdeadbeefdead")).isEqualTo("/deadbeefdeadbeefdead"); // hex words need a digit
        assertThat(n.normalize("/aVeryLongCamelCaseWordWithoutDigits")).isEqualTo("/aVeryLongCamelCaseWordWithoutDigits");
    }

    @Test
    void edgeShapes() {
        String same = "/static/app.js";
        assertThat(n.normalize(same)).isSameAs(same);
        assertThat(n.normalize(null)).isNull();
        assertThat(n.normalize("")).isEqualTo("/");
        assertThat(n.normalize("?q=1")).isEqualTo("/");
        assertThat(n.normalize("*")).isEqualTo("*");
        assertThat(n.normalize("/a//7/")).isEqualTo("/a//{id}/");
        assertThat(n.normalize("http://example.com:8080/users/9?x")).isEqualTo("/users/{id}");
        assertThat(n.normalize("http://example.com")).isEqualTo("/");
    }

    @Test
    void extraRulesRunFirstAndThePlaceholderIsConfigurable() {
        EndpointNormalizer custom = EndpointNormalizer.builder()
                .rule("[a-z]+@[a-z.]+", "{email}")
                .rule("(\\d+)\\.(jpg|png)", "{id}.$2")
                .placeholder("*")
                .build();
        assertThat(custom.normalize("/users/bob@example.com/avatar/77.png")).isEqualTo("/users/{email}/avatar/{id}.png");
        assertThat(custom.normalize("/orders/55")).isEqualTo("/orders/*");
    }
}

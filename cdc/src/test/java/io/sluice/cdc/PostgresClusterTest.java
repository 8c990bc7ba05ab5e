package io.sluice.cdc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresClusterTest
{
    @Test
    void shouldRunPrivateClusterWithLogicalDecodingOnLoopback() throws Exception
    {
        final PostgresCluster cluster = PostgresCluster.shared();
        try (Connection c = cluster.connect(); Statement s = c.createStatement())
        {
            assertThat(single(s, "SHOW wal_level")).isEqualTo("logical");
            assertThat(single(s, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(single(s, "SELECT rolreplication::text FROM pg_roles WHERE rolname = current_user")).isEqualTo("true");
            assertThat(single(s, "SELECT current_database()")).isEqualTo(PostgresCluster.DATABASE);
        }
        assertThat(cluster.version()).startsWith("PostgreSQL ");
    }

    private static String single(final Statement s, final String sql) throws Exception
    {
        try (ResultSet rs = s.executeQuery(sql))
        {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}

package io.sluice.cdc;

import java.util.List;

/**
 * A table as PostgreSQL describes it: OID, schema and name, replica identity and columns (live,
 * non-generated columns in attribute order, as pgoutput and {@code COPY} send them).
 *
 * @param oid              the table's OID.
 * @param namespace        its schema.
 * @param name             its name.
 * @param replicaIdentity  'd' default (primary key), 'n' nothing, 'f' full, 'i' index.
 * @param columns          the columns in order.
 */
record PgRelation(int oid, String namespace, String name, byte replicaIdentity, List<Column> columns)
{
    /**
     * One column.
     *
     * @param name    column name.
     * @param typeOid OID of its type.
     * @param typmod  type modifier (e.g. varchar length + 4), -1 if none.
     * @param key     part of the replica identity key.
     * @param typeName the type as SQL writes it (from the catalog), or null (from a Relation message).
     */
    record Column(String name, int typeOid, int typmod, boolean key, String typeName)
    {
        /**
         * The type's name for messages.
         *
         * @return the SQL name.
         */
        String typeText()
        {
            return typeName != null ? typeName : PgTypes.name(typeOid);
        }
    }

    /**
     * Qualified name, as in messages.
     *
     * @return {@code namespace.name}.
     */
    String qualifiedName()
    {
        return namespace + "." + name;
    }

    /**
     * Index of a column by name.
     *
     * @param column name.
     * @return index, -1 if absent.
     */
    int indexOf(final String column)
    {
        for (int i = 0; i < columns.size(); i++)
        {
            if (columns.get(i).name().equals(column))
            {
                return i;
            }
        }
        return -1;
    }
}

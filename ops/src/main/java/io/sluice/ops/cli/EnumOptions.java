package io.sluice.ops.cli;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * One casing for enum options on every command: values are shown in lower case (as the daemon
 * configuration writes them) in help, defaults and errors, and accepted in any case, with {@code -}
 * for {@code _} ({@code busy_spin}, {@code BUSY_SPIN}, {@code busy-spin}). picocli's own enum
 * conversion would list the constants' upper-case names in its errors.
 *
 * <p>Threading: the command line's construction, once.
 */
public final class EnumOptions
{
    private EnumOptions()
    {
    }

    /**
     * Registers a converter for every enum type an option or positional parameter of the command line,
     * or of any of its subcommands, takes. Call after every subcommand was added.
     *
     * @param commandLine the root command line.
     */
    public static void register(final CommandLine commandLine)
    {
        final Set<Class<?>> types = new LinkedHashSet<>();
        collect(commandLine, types);
        for (final Class<?> type : types)
        {
            registerEnum(commandLine, type);
        }
    }

    /**
     * The name a user writes for an enum constant.
     *
     * @param constant of an enum option.
     * @return its lower-case name.
     */
    public static String display(final Enum<?> constant)
    {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    private static void collect(final CommandLine commandLine, final Set<Class<?>> types)
    {
        for (final ArgSpec arg : commandLine.getCommandSpec().args())
        {
            if (arg.type().isEnum())
            {
                types.add(arg.type());
            }
            for (final Class<?> auxiliary : arg.auxiliaryTypes())
            {
                if (auxiliary.isEnum())
                {
                    types.add(auxiliary);
                }
            }
        }
        for (final CommandLine sub : commandLine.getSubcommands().values())
        {
            collect(sub, types);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void registerEnum(final CommandLine commandLine, final Class<?> type)
    {
        commandLine.registerConverter((Class)type, converter((Class)type));
    }

    static <E extends Enum<E>> ITypeConverter<E> converter(final Class<E> type)
    {
        return value ->
        {
            final String wanted = value.strip().replace('-', '_');
            final StringJoiner names = new StringJoiner(", ");
            for (final E constant : type.getEnumConstants())
            {
                if (constant.name().equalsIgnoreCase(wanted) || constant.toString().equalsIgnoreCase(value.strip()))
                {
                    return constant;
                }
                names.add(display(constant));
            }
            throw new TypeConversionException("expected one of " + names + ", was '" + value + "'");
        };
    }
}

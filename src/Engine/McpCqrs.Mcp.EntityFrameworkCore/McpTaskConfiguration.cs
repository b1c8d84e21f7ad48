using McpCqrs.Mcp.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace McpCqrs.Mcp.EntityFrameworkCore;

internal sealed class McpTaskConfiguration : IEntityTypeConfiguration<McpTaskRecord>
{
    public void Configure(EntityTypeBuilder<McpTaskRecord> builder)
    {
        builder.ToTable("McpTasks");
        builder.HasKey(t => t.TaskId);
        builder.Property(t => t.TaskId).HasMaxLength(64);
        builder.Property(t => t.Owner).HasMaxLength(256).IsRequired();
        builder.Property(t => t.Tool).HasMaxLength(128).IsRequired();
        builder.Property(t => t.ArgumentsJson).IsRequired();
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(t => t.StatusMessage).HasMaxLength(1000);
        builder.Property(t => t.LeaseOwner).HasMaxLength(128);
        builder.Property(t => t.Revision).IsConcurrencyToken();
        builder.HasIndex(t => new { t.Owner, t.CreatedAt });
        builder.HasIndex(t => new { t.Status, t.LeaseExpiresAt });
    }
}

internal sealed class McpTaskInputRequestConfiguration : IEntityTypeConfiguration<McpTaskInputRequest>
{
    public void Configure(EntityTypeBuilder<McpTaskInputRequest> builder)
    {
        builder.ToTable("McpTaskInputRequests");
        builder.HasKey(r => new { r.TaskId, r.Key });
        builder.Property(r => r.TaskId).HasMaxLength(64);
        builder.Property(r => r.Key).HasMaxLength(128);
        builder.Property(r => r.RequestJson).IsRequired();
        builder.HasOne<McpTaskRecord>().WithMany().HasForeignKey(r => r.TaskId).OnDelete(DeleteBehavior.Cascade);
    }
}

using McpCqrs.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace McpCqrs.Infrastructure.Persistence.Configurations;

internal sealed class TicketConfiguration : IEntityTypeConfiguration<Ticket>
{
    public void Configure(EntityTypeBuilder<Ticket> builder)
    {
        builder.ToTable("tickets");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Title).HasMaxLength(Ticket.TitleMaxLength).IsRequired();
        builder.Property(t => t.Description).HasMaxLength(Ticket.DescriptionMaxLength);
        builder.Property(t => t.Assignee).HasMaxLength(Ticket.AssigneeMaxLength);
        builder.PrimitiveCollection(t => t.Tags).IsRequired();
        builder.HasOne(t => t.Customer).WithMany().HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(t => t.Comments).WithOne().HasForeignKey(c => c.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(t => t.Comments).HasField("_comments").UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.HasIndex(t => new { t.Status, t.Priority });
        builder.HasIndex(t => t.UpdatedAt);
        builder.HasIndex(t => t.Assignee);
    }
}

internal sealed class CommentConfiguration : IEntityTypeConfiguration<Comment>
{
    public void Configure(EntityTypeBuilder<Comment> builder)
    {
        builder.ToTable("comments");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Author).HasMaxLength(Comment.AuthorMaxLength).IsRequired();
        builder.Property(c => c.Body).HasMaxLength(Comment.BodyMaxLength).IsRequired();
    }
}
